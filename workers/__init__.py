"""RQ side: the jobs that render, convert and store documents. Never imports Flask."""
