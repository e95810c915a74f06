"""The SAKIP domain: payload models, formulas and Indonesian formatting.

Pure Python: imports neither Flask, Redis nor docxtpl, so the web service, the workers
and the offline CLI share it and its tests need no running services.
"""

from sakip.moved import install as _install_moved

_install_moved()
