"""The ``process`` work pool that deployments run on, created without leaving the machine.

``prefect work-pool create`` first asks the server for every known worker type, and the server
fetches Prefect's collection registry from raw.githubusercontent.com for that (falling back to
its bundled copy when offline): an outbound connection nobody configured. A ``process`` pool
needs none of it: its job template ships with Prefect (``ProcessWorker``), so the pool is
created through the API with that template, as the CLI would, and nothing else is asked.
"""

from __future__ import annotations


def ensure_process_pool(name: str) -> bool:
    """Create the ``process`` work pool ``name`` on the server in ``PREFECT_API_URL`` unless it
    exists; True when it was created. An existing pool is left as it is (its job template may
    have been edited in the UI)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectAlreadyExists
    from prefect.workers.process import ProcessWorker

    template = ProcessWorker.get_default_base_job_template()
    with get_client(sync_client=True) as client:
        try:
            client.create_work_pool(
                WorkPoolCreate(name=name, type="process", base_job_template=template)
            )
        except ObjectAlreadyExists:
            return False
    return True
