"""The city table of the tool worlds: names, positions and a rough climate for one week.

Rules as data: TravelDesk draws its cities from :data:`CITIES`, places them by
latitude/longitude (flight distance, duration and price follow), and draws the
week's forecast around each city's typical high temperature and wetness. The table
ships with the package; nothing is downloaded.

Example:
    >>> CITY_BY_NAME["san francisco"].name
    'San Francisco'
    >>> len(CITIES) >= 30
    True
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class City:
    """One city: its name, position in degrees, typical daily high (Celsius) and wetness (0..1)."""

    name: str
    latitude: float
    longitude: float
    typical_high_c: int
    wetness: float


CITIES: tuple[City, ...] = (
    City("San Francisco", 37.77, -122.42, 18, 0.20),
    City("New York", 40.71, -74.01, 16, 0.30),
    City("Chicago", 41.88, -87.63, 13, 0.30),
    City("Seattle", 47.61, -122.33, 14, 0.45),
    City("Denver", 39.74, -104.99, 15, 0.20),
    City("Miami", 25.76, -80.19, 29, 0.35),
    City("Toronto", 43.65, -79.38, 12, 0.30),
    City("Mexico City", 19.43, -99.13, 25, 0.30),
    City("Boston", 42.36, -71.06, 14, 0.30),
    City("Austin", 30.27, -97.74, 27, 0.20),
    City("London", 51.51, -0.13, 14, 0.45),
    City("Paris", 48.86, 2.35, 16, 0.35),
    City("Berlin", 52.52, 13.40, 14, 0.35),
    City("Madrid", 40.42, -3.70, 21, 0.15),
    City("Rome", 41.90, 12.50, 21, 0.20),
    City("Oslo", 59.91, 10.75, 9, 0.40),
    City("Stockholm", 59.33, 18.07, 10, 0.35),
    City("Lisbon", 38.72, -9.14, 20, 0.20),
    City("Amsterdam", 52.37, 4.90, 13, 0.45),
    City("Vienna", 48.21, 16.37, 15, 0.30),
    City("Prague", 50.08, 14.44, 14, 0.30),
    City("Dublin", 53.35, -6.26, 12, 0.50),
    City("Athens", 37.98, 23.73, 23, 0.10),
    City("Istanbul", 41.01, 28.98, 18, 0.25),
    City("Cairo", 30.04, 31.24, 30, 0.03),
    City("Nairobi", -1.29, 36.82, 24, 0.35),
    City("Cape Town", -33.92, 18.42, 20, 0.25),
    City("Dubai", 25.20, 55.27, 33, 0.03),
    City("Mumbai", 19.08, 72.88, 32, 0.30),
    City("Delhi", 28.61, 77.21, 33, 0.10),
    City("Singapore", 1.35, 103.82, 31, 0.55),
    City("Bangkok", 13.76, 100.50, 34, 0.40),
    City("Hong Kong", 22.32, 114.17, 26, 0.40),
    City("Tokyo", 35.68, 139.69, 19, 0.35),
    City("Seoul", 37.57, 126.98, 17, 0.30),
    City("Beijing", 39.90, 116.41, 20, 0.15),
    City("Sydney", -33.87, 151.21, 22, 0.30),
    City("Auckland", -36.85, 174.76, 18, 0.45),
    City("Buenos Aires", -34.60, -58.38, 21, 0.25),
    City("Sao Paulo", -23.55, -46.63, 25, 0.40),
    City("Reykjavik", 64.15, -21.94, 5, 0.55),
    City("Anchorage", 61.22, -149.90, 3, 0.35),
)

#: Cities by lower-case name, for case-insensitive lookups.
CITY_BY_NAME: dict[str, City] = {city.name.lower(): city for city in CITIES}

#: The day names; day ``d`` (1..7) is ``WEEKDAYS[d - 1]``.
WEEKDAYS: tuple[str, ...] = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

#: Meeting titles for the user's calendar.
MEETING_TITLES: tuple[str, ...] = (
    "Project review",
    "Client lunch",
    "Board meeting",
    "Design workshop",
    "Quarterly planning",
    "Vendor negotiation",
    "Team offsite",
    "Investor pitch",
    "Hiring panel",
    "Product demo",
    "Budget review",
    "Partner dinner",
    "Security audit",
    "Sales kickoff",
)

#: Hotel names (each city's hotels draw from these).
HOTEL_NAMES: tuple[str, ...] = (
    "Harbor Inn", "Grand Central", "Park Lodge", "Riverside Suites", "Old Town Rooms", "Skyline Hotel",
    "Garden House", "Station Hotel", "Marina Bay Inn", "City Loft",
)

#: Two-letter airline codes used in flight numbers.
AIRLINES: tuple[str, ...] = ("NA", "TW", "SK", "AZ", "LX", "QF", "JL", "EI", "UA", "KE")
