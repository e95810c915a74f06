"""The HTTP intake: validates, authorises, enqueues, serves files. Never renders."""

import sakip  # noqa: F401  (its old module paths, e.g. service.workbook, keep working)
