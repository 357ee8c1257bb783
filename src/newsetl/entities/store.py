"""placeholder"""
def store_entities(con, documents):
    raise NotImplementedError
def refresh_story_clusters(con):
    raise NotImplementedError
