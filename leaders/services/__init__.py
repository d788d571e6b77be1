"""Writes of the leaders app (docs/rules.md §8):

- `compute`: the candidate lists of a period and the on-demand runs (R-LD-1, R-LD-2, R-LD-4);
- `review`: the akimat's strikes and submission, the commission's decision (R-LD-3).
"""
