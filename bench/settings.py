"""Settings of the benchmark stack (bench/stack.sh): production settings, plus the floor
endpoint of B1 (bench/urls.py) and abuse limits a load generator does not trip.

Only bench/stack.sh and bench/run.py use this module (DJANGO_SETTINGS_MODULE=bench.settings):
a normal deployment (ashyq.settings) never mounts bench/floor.py.
"""

from ashyq.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# B1 posts hundreds of look-ups a second through a few hundred guards: the limits of a
# real door (30 a venue a minute, its capacity's day, 60 a company a minute) would
# answer 429. The queries that count them still run on every look-up.
VENUE_LOOKUPS_PER_MINUTE = 10**9
VENUE_LOOKUPS_DAY_MIN = 10**9
COMPANY_LOOKUPS_PER_MINUTE = 10**9
COMPANY_LOOKUPS_PER_DAY = 10**9
