"""Batch jobs over files and datasets: records, resumable jobs, Ray scale-out."""
