"""The HTTP intake: validates, authorises, enqueues, serves files. Never renders."""
