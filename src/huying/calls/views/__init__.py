"""The calls pages: one module per page family, each thin (read via selectors, act via services).

town.py        the town workbench: new call, my calls, village requests to forward
village.py     village requests (村社上报): raise, the town forwards or declines, follow
department.py  the department workbench: to respond (live countdown), in progress, overdue
detail.py      a call with its timeline and the actions the user may take
board.py       the command-centre board: live counts, overdue list, arbitration queue
supervision.py urgings and accountability cases
statistics.py  statistics for a period, rankings, charts, Excel export
"""
