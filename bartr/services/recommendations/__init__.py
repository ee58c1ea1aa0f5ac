"""Barter matches: who teaches what I want (and ideally wants what I teach).

Matching key. A skill's keys are (category id, significant word) pairs, the words
coming from its title and tags minus generic words (see profiles.significant_words).
Two skills match when they share a key: same category AND a shared significant word.
This covers "equal titles", "a shared tag" and "one title contains the other's main
word" ("Spanish" ~ "Spanish conversation", "Guitar" ~ "Jazz guitar") with one indexed
equality join on `skill_terms`, and never matches across categories ("Python" the
language vs a "python" in Other).

The package:
- `scoring`: `score_match`, pure and documented;
- `candidates`: a bounded set of candidates in SQL from those keys, behind one interface
  (`CandidateSource`) with a SQLAlchemy implementation for any database and a raw-SQL one
  for PostgreSQL;
- `matching`: `for_you`, `swap_circles`, `score_between` and the marketplace's helpers.
`from bartr.services import recommendations` gives the public names below.
"""

from bartr.services.recommendations.candidates import (
    CANDIDATES_ONE_WAY,
    CANDIDATES_WANTERS,
    CIRCLE_FAN_OUT,
    CandidateSource,
    CircleSides,
    PostgresCandidates,
    QueryCandidates,
    candidates_for,
)
from bartr.services.recommendations.matching import (
    CircleFlow,
    CircleMember,
    Recommendation,
    SwapCircle,
    for_you,
    score_between,
    swap_circles,
    taught_keys,
    users_wanting,
    viewer_profile,
)
from bartr.services.recommendations.scoring import (
    AVAILABILITY_BOOST,
    AVAILABILITY_EXTRA,
    EXTRA_SKILL_BOOST,
    LANGUAGE_BOOST,
    MUTUAL_FACTOR,
    TRUST_BOOST,
    Key,
    MatchProfile,
    MatchScore,
    MatchSkill,
    score_match,
)

__all__ = [
    "AVAILABILITY_BOOST",
    "AVAILABILITY_EXTRA",
    "CANDIDATES_ONE_WAY",
    "CANDIDATES_WANTERS",
    "CIRCLE_FAN_OUT",
    "EXTRA_SKILL_BOOST",
    "LANGUAGE_BOOST",
    "MUTUAL_FACTOR",
    "TRUST_BOOST",
    "CandidateSource",
    "CircleFlow",
    "CircleMember",
    "CircleSides",
    "Key",
    "MatchProfile",
    "MatchScore",
    "MatchSkill",
    "PostgresCandidates",
    "QueryCandidates",
    "Recommendation",
    "SwapCircle",
    "candidates_for",
    "for_you",
    "score_between",
    "score_match",
    "swap_circles",
    "taught_keys",
    "users_wanting",
    "viewer_profile",
]
