"""Missions: one English sentence in, the scaffold commands that perform it out.

>>> parse_mission("add missing indexes", {}).actions[0].argv
('index', '--missing')
"""

from scaffold.mission.normalize import normalize_for_matching
from scaffold.mission.parser import (
    Escalation,
    MissionAction,
    MissionParseError,
    MissionPlan,
    parse_mission,
    security_escalations,
)

__all__ = [
    "Escalation",
    "MissionAction",
    "MissionParseError",
    "MissionPlan",
    "normalize_for_matching",
    "parse_mission",
    "security_escalations",
]
