"""US states as the synthetic market places them: population, region, appeal and cities.

Programs are spread over states by population weighted by how much graduate
medical education each state hosts (the Northeast trains more residents per
head than the Mountain West); applicants' ties and preferences use the census
divisions and each state's appeal to residents.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class State:
    """One state (or DC) as the generator uses it.

    ``population`` is in millions (2020 census); ``gme`` scales residency
    positions per head relative to the nation; ``appeal`` is how much residents
    prefer to train there, centred near 0; ``division`` is the census division.
    """

    code: str
    population: float
    division: str
    gme: float
    appeal: float
    cities: tuple[str, ...]


DIVISIONS: tuple[str, ...] = (
    "New England",
    "Middle Atlantic",
    "East North Central",
    "West North Central",
    "South Atlantic",
    "East South Central",
    "West South Central",
    "Mountain",
    "Pacific",
)

STATES: tuple[State, ...] = (
    State("AL", 5.02, "East South Central", 0.8, -0.3, ("Birmingham", "Mobile", "Huntsville", "Montgomery")),
    State("AK", 0.73, "Pacific", 0.3, -0.4, ("Anchorage", "Fairbanks")),
    State("AZ", 7.15, "Mountain", 0.8, 0.1, ("Phoenix", "Tucson", "Mesa", "Scottsdale", "Flagstaff")),
    State("AR", 3.01, "West South Central", 0.7, -0.4, ("Little Rock", "Fayetteville", "Fort Smith")),
    State(
        "CA",
        39.54,
        "Pacific",
        0.8,
        0.6,
        (
            "Los Angeles",
            "San Francisco",
            "San Diego",
            "Sacramento",
            "Oakland",
            "Fresno",
            "Riverside",
            "Irvine",
            "Palo Alto",
            "Long Beach",
            "Bakersfield",
        ),
    ),
    State(
        "CO", 5.77, "Mountain", 0.8, 0.5, ("Denver", "Aurora", "Colorado Springs", "Pueblo", "Fort Collins")
    ),
    State(
        "CT", 3.61, "New England", 1.5, 0.2, ("New Haven", "Hartford", "Bridgeport", "Stamford", "Norwalk")
    ),
    State("DE", 0.99, "South Atlantic", 0.9, 0.0, ("Wilmington", "Newark", "Dover")),
    State("DC", 0.69, "South Atlantic", 3.5, 0.5, ("Washington",)),
    State(
        "FL",
        21.54,
        "South Atlantic",
        0.8,
        0.3,
        (
            "Miami",
            "Orlando",
            "Tampa",
            "Jacksonville",
            "Gainesville",
            "Tallahassee",
            "Fort Lauderdale",
            "Pensacola",
        ),
    ),
    State("GA", 10.71, "South Atlantic", 0.7, 0.1, ("Atlanta", "Augusta", "Savannah", "Macon", "Columbus")),
    State("HI", 1.46, "Pacific", 0.7, 0.5, ("Honolulu", "Hilo")),
    State("ID", 1.84, "Mountain", 0.4, -0.1, ("Boise", "Pocatello")),
    State(
        "IL",
        12.81,
        "East North Central",
        1.2,
        0.3,
        ("Chicago", "Peoria", "Springfield", "Rockford", "Evanston", "Maywood", "Urbana"),
    ),
    State(
        "IN", 6.79, "East North Central", 0.8, -0.2, ("Indianapolis", "Fort Wayne", "Evansville", "Muncie")
    ),
    State(
        "IA", 3.19, "West North Central", 0.7, -0.3, ("Iowa City", "Des Moines", "Cedar Rapids", "Sioux City")
    ),
    State("KS", 2.94, "West North Central", 0.6, -0.4, ("Kansas City", "Wichita", "Topeka")),
    State(
        "KY", 4.51, "East South Central", 0.9, -0.3, ("Louisville", "Lexington", "Bowling Green", "Pikeville")
    ),
    State(
        "LA", 4.66, "West South Central", 1.1, -0.1, ("New Orleans", "Baton Rouge", "Shreveport", "Lafayette")
    ),
    State("ME", 1.36, "New England", 0.8, 0.0, ("Portland", "Bangor", "Lewiston")),
    State("MD", 6.18, "South Atlantic", 1.3, 0.3, ("Baltimore", "Bethesda", "Silver Spring", "Cheverly")),
    State(
        "MA",
        7.03,
        "New England",
        2.0,
        0.6,
        ("Boston", "Worcester", "Springfield", "Cambridge", "Burlington", "Pittsfield"),
    ),
    State(
        "MI",
        10.08,
        "East North Central",
        1.2,
        0.0,
        ("Detroit", "Ann Arbor", "Grand Rapids", "Lansing", "Royal Oak", "Flint", "Kalamazoo", "Dearborn"),
    ),
    State("MN", 5.71, "West North Central", 0.9, 0.2, ("Minneapolis", "Saint Paul", "Rochester", "Duluth")),
    State("MS", 2.96, "East South Central", 0.6, -0.5, ("Jackson", "Hattiesburg", "Tupelo")),
    State(
        "MO", 6.15, "West North Central", 1.1, 0.0, ("St. Louis", "Kansas City", "Columbia", "Springfield")
    ),
    State("MT", 1.08, "Mountain", 0.3, 0.0, ("Billings", "Missoula")),
    State("NE", 1.96, "West North Central", 0.8, -0.3, ("Omaha", "Lincoln")),
    State("NV", 3.10, "Mountain", 0.5, 0.0, ("Las Vegas", "Reno")),
    State("NH", 1.38, "New England", 0.7, 0.1, ("Lebanon", "Manchester", "Concord")),
    State(
        "NJ",
        9.29,
        "Middle Atlantic",
        1.1,
        0.1,
        ("Newark", "Camden", "Paterson", "Hackensack", "New Brunswick"),
    ),
    State("NM", 2.12, "Mountain", 0.6, -0.1, ("Albuquerque", "Las Cruces", "Santa Fe")),
    State(
        "NY",
        20.20,
        "Middle Atlantic",
        1.9,
        0.5,
        (
            "New York",
            "Brooklyn",
            "Bronx",
            "Queens",
            "Rochester",
            "Buffalo",
            "Syracuse",
            "Albany",
            "Stony Brook",
            "Valhalla",
            "Staten Island",
        ),
    ),
    State(
        "NC",
        10.44,
        "South Atlantic",
        0.9,
        0.3,
        ("Durham", "Chapel Hill", "Charlotte", "Winston-Salem", "Greenville", "Asheville"),
    ),
    State("ND", 0.78, "West North Central", 0.6, -0.6, ("Fargo", "Grand Forks", "Bismarck")),
    State(
        "OH",
        11.80,
        "East North Central",
        1.3,
        -0.1,
        ("Cleveland", "Columbus", "Cincinnati", "Toledo", "Dayton", "Akron", "Youngstown"),
    ),
    State("OK", 3.96, "West South Central", 0.7, -0.4, ("Oklahoma City", "Tulsa", "Lawton")),
    State("OR", 4.24, "Pacific", 0.7, 0.4, ("Portland", "Eugene", "Salem")),
    State(
        "PA",
        13.00,
        "Middle Atlantic",
        1.6,
        0.2,
        ("Philadelphia", "Pittsburgh", "Hershey", "Allentown", "Danville", "Scranton", "Erie"),
    ),
    State("RI", 1.10, "New England", 1.5, 0.2, ("Providence", "Pawtucket")),
    State("SC", 5.12, "South Atlantic", 0.8, 0.0, ("Charleston", "Columbia", "Greenville", "Spartanburg")),
    State("SD", 0.89, "West North Central", 0.5, -0.5, ("Sioux Falls", "Rapid City")),
    State(
        "TN",
        6.91,
        "East South Central",
        1.0,
        0.0,
        ("Nashville", "Memphis", "Knoxville", "Chattanooga", "Johnson City"),
    ),
    State(
        "TX",
        29.15,
        "West South Central",
        0.8,
        0.2,
        (
            "Houston",
            "Dallas",
            "San Antonio",
            "Austin",
            "Fort Worth",
            "El Paso",
            "Lubbock",
            "Galveston",
            "Temple",
        ),
    ),
    State("UT", 3.27, "Mountain", 0.6, 0.2, ("Salt Lake City", "Provo", "Ogden")),
    State("VT", 0.64, "New England", 0.8, 0.1, ("Burlington",)),
    State(
        "VA",
        8.63,
        "South Atlantic",
        0.9,
        0.2,
        ("Richmond", "Charlottesville", "Norfolk", "Roanoke", "Falls Church"),
    ),
    State("WA", 7.71, "Pacific", 0.7, 0.5, ("Seattle", "Spokane", "Tacoma", "Renton")),
    State("WV", 1.79, "South Atlantic", 1.0, -0.5, ("Morgantown", "Huntington", "Charleston")),
    State("WI", 5.89, "East North Central", 0.9, 0.0, ("Milwaukee", "Madison", "La Crosse", "Green Bay")),
    State("WY", 0.58, "Mountain", 0.3, -0.4, ("Casper", "Cheyenne")),
)
