"""The mock's dashboard under ``/_mock/ui/``: its accounts, the raw-log calendar, a day's view, the clock, faults,
report tasks and the request journal, as pages a person reads instead of the control API's JSON.

The models (:mod:`.calendar`, :mod:`.daydata`, :mod:`.charts`) are plain functions of the state and the clock's
now; :mod:`.routes` only renders them and passes forms to the same ``MockState`` methods the control API calls.
"""
