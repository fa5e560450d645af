"""All tables, one module per aggregate; importing this package registers every model."""
from .accounts import ROLES, ApiToken, OAuthIdentity, OutboxMessage, PasswordResetToken, User, UserRole, UserSession
from .attending import CapabilityRequest, ConventionRegistration, Selection, UserCapability
from .conventions import Capability, Convention, Equipment, EventSlot, Location, LocationEquipment
from .tracks import Track
from .exchange import CalendarFeed, CalendarRunState, ImportedEvent
from .scheduling import ScheduleRun, ScheduleRunAssignment, ScheduleRunUnplaced
from .types import UTCDateTime, utcnow
from .workshops import HostApplication, HostAvailability, Workshop, WorkshopEquipment

__all__ = [
    "ROLES", "ApiToken", "OAuthIdentity", "OutboxMessage", "PasswordResetToken", "User", "UserRole", "UserSession",
    "CapabilityRequest", "ConventionRegistration", "Selection", "UserCapability",
    "Capability", "Convention", "Equipment", "EventSlot", "Location", "LocationEquipment",
    "ScheduleRun", "ScheduleRunAssignment", "ScheduleRunUnplaced",
    "Track", "CalendarFeed", "CalendarRunState", "ImportedEvent", "UTCDateTime", "utcnow",
    "HostApplication", "HostAvailability", "Workshop", "WorkshopEquipment",
]
