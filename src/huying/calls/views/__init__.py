"""The calls pages: one module per page family, each thin (read via selectors, act via services).

town.py        the town workbench: new call, my calls, village requests to forward
department.py  the department workbench: to respond (live countdown), in progress, overdue
detail.py      a call with its timeline and the actions the user may take
board.py       the command-centre board: live counts, overdue list, arbitration queue
supervision.py urgings and accountability cases
statistics.py  statistics for a period, rankings, charts, Excel export
"""
