"""Writes of monitoring (docs/rules.md §10), by what a reader looks for:

- `violations`: filing, confirming and rejecting violations (R-MN-1);
- `sanctions`: the sanction of a trigger, appeals and returns (R-MN-3, R-MN-4, R-MN-5);
- `inactivity`: the nightly inactivity flags (R-MN-2);
- `outages`: outages recorded by operators (R-MN-6);
- `risk`: the stored risk lists (R-MN-7).
"""
