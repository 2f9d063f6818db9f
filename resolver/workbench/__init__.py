"""The steward's workbench (`resolver review OUT --serve`): the review queue, pairs,
individuals and households of a run in the browser, on the loopback interface.

queue.py pages the queue from the run's files; views.py gathers what each page shows;
app.py renders pages (templates/) and records decisions; server.py is the HTTP side
(token, cookie, loopback only, no request log)."""
