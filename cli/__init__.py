"""The `docgen` command: run the service, run a worker, render offline."""
