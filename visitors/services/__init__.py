"""Writes of the visitors app, by what a reader looks for:

- `linking`: the citizen's IIN linked to his phone (R-AU-2);
- `checkin`: check-ins at the door — the visitor's scans, exits, the remote check
  (R-CI-1, R-CI-4, R-CI-5, R-CI-7, R-CI-8);
- `guard`: the guard page's look-up and its abuse limits (R-CI-2, R-CI-3, R-PR-3);
- `periodic`: automatic closes, erasure and the daily counts (R-CI-4, R-PR-2, R-CI-9);
- `reports`: the red or yellow visitor's report to the sanitary officers (R-CI-3).
"""
