"""What web and workers share: document records in Redis, files on disk, the template registry."""
