"""Types shared by the constraint rules: statuses, results, the site's requirements.

Each rule gives one `ConstraintResult` per option it judges: `pass`, `warn` or `fail`, the
reason (a message declared once in `app.engine.constraint_reasons`) and the catalog fact it
used, with that fact's source and date. A fact the catalog lacks never passes silently: the
rule warns "no catalog fact for …". This is screening, not legal advice.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

PASS = "pass"
WARN = "warn"
FAIL = "fail"
STATUSES = (PASS, WARN, FAIL)
# Status codes of the vectorized masks: the worst status is the largest code.
STATUS_CODE = {PASS: 0, WARN: 1, FAIL: 2}

SUBJECTS = ("model", "accelerator", "api", "rental", "deployment")

DEPLOYMENT_MODES = ("air-gapped", "on-premise", "sovereign-cloud", "public-api")
EXPOSURES = ("accept", "warn", "avoid")

# What an export-control note means for a site in its regions (`ExportControlNote.effect`).
EXPORT_EFFECTS = (
    "licence-required",  # a licence is needed to export the part to the region
    "licence-presumed-denied",  # licence applications are presumed denied / sales not permitted
    "licence-possible",  # classification depends on values the catalog lacks
    "import-restricted",  # the region's own authorities restrict buying or importing it
    "use-risk",  # using the part anywhere risks breaching the authority's rules
    "entity-listed",  # the vendor is on a restricted-party list (supply, support, servicing)
    "below-threshold",  # designed or judged below the control thresholds
    "context",  # background: supply constraints, assurances, reported shipments
)
DESTINATION_EFFECTS = frozenset(
    {"licence-required", "licence-presumed-denied", "licence-possible", "import-restricted"}
)
USE_EFFECTS = frozenset({"use-risk", "entity-listed"})

# Allowed-licence tokens (in `allowed_licences` next to licence ids).
TOKEN_OSI_ONLY = "osi-only"
TOKEN_NO_MAU_CAP = "no-mau-cap"
LICENCE_TOKENS = (TOKEN_OSI_ONLY, TOKEN_NO_MAU_CAP)

# Data classification labels → level. 0 public, 1 internal, 2 confidential, 3 secret,
# 4 top secret. Common national and NATO/EU labels map to the nearest level; "restricted" is
# handled as confidential (the stricter reading).
CLASSIFICATION_LEVELS = {
    "public": 0,
    "unclassified": 0,
    "open": 0,
    "internal": 1,
    "official": 1,
    "confidential": 2,
    "restricted": 2,
    "sensitive": 2,
    "official-sensitive": 2,
    "secret": 3,
    "top-secret": 4,
    "top secret": 4,
}
LEVEL_NAMES = ("public", "internal", "confidential", "secret", "top secret")
CONFIDENTIAL = 2
SECRET = 3


@dataclass(frozen=True)
class Fact:
    """A catalog fact a rule used: what it says, where it comes from, and its date."""

    text: str
    source: str
    as_of: str

    def render(self) -> str:
        return f"{self.text} (source: {self.source or 'not recorded'}; as of {self.as_of or '?'})"


@dataclass(frozen=True)
class ConstraintResult:
    """One rule's verdict on one option.

    `subject` is the kind of option (model, accelerator, api, rental, deployment) and `option`
    its catalog id; `reason_id` names the declared message the reason was built from.
    """

    rule: str
    status: str
    reason: str
    fact: str
    subject: str
    option: str = ""
    source: str = ""
    as_of: str = ""
    reason_id: str = ""

    def to_json(self) -> dict[str, str]:
        """The `constraints` item of `enclave evaluate --json`."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class SiteRequirements:
    """The requirements the rules read, with the defaults a scenario leaves implicit.

    Built from `app.engine.scenario.Requirements` by `from_requirements`, which also reads the
    fields that scenario format v1 does not have yet (`commercial_use`,
    `use_restriction_exposure`) when they are present.
    """

    deployment_mode: str = "on-premise"
    data_classification: str = ""
    jurisdiction: str = ""
    allowed_licences: tuple[str, ...] = ()
    allowed_model_origins: tuple[str, ...] = ()
    allowed_hardware_vendors: tuple[str, ...] = ()
    allowed_hardware_origins: tuple[str, ...] = ()
    export_control_exposure: str = "warn"
    vendor_support_region: str = ""
    commercial_use: bool = True
    use_restriction_exposure: str = "warn"

    @classmethod
    def from_requirements(cls, requirements: Any) -> SiteRequirements:
        """Adapter from a scenario's Requirements (or any object with the same attributes)."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            if hasattr(requirements, f.name):
                values[f.name] = getattr(requirements, f.name)
        for name in (
            "allowed_licences",
            "allowed_model_origins",
            "allowed_hardware_vendors",
            "allowed_hardware_origins",
        ):
            if name in values:
                values[name] = tuple(values[name])
        for name in ("export_control_exposure", "use_restriction_exposure"):
            if values.get(name) == "fail":  # accepted as a synonym of "avoid"
                values[name] = "avoid"
        return cls(**values)

    @property
    def classification_level(self) -> int | None:
        """Level of `data_classification` (None when the label is not known; -1 when unset)."""
        label = " ".join(self.data_classification.strip().casefold().replace("_", " ").split())
        if not label:
            return -1
        return CLASSIFICATION_LEVELS.get(label, CLASSIFICATION_LEVELS.get(label.replace(" ", "-")))


def worst(statuses: list[str] | tuple[str, ...]) -> str:
    """The most severe of some statuses (pass when there are none)."""
    return max(statuses, key=STATUS_CODE.__getitem__, default=PASS)
