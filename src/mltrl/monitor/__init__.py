"""Production monitoring: mergeable data profiles built on Apache DataSketches.

Needs the ``monitor`` extra (``pip install 'mltrl[monitor]'``); the rest of mltrl never imports it.
"""

from mltrl.monitor.profile import TableProfile, profile_table

__all__ = ["TableProfile", "profile_table"]
