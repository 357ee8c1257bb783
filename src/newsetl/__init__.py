"""newsetl: multilingual news-ingestion ETL."""
