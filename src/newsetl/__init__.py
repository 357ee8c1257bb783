"""newsetl: multilingual news-ingestion ETL.

Stages are plain functions over records (see :mod:`newsetl.pipeline`); Prefect lives in ``newsetl.flows``.
"""

__version__ = "0.1.0"
