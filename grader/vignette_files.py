"""Build Rosters from a folder of vignette YAML files: for the command line and tests only.

grade() never calls this: the app builds its own Roster, and the library grades with the
roster it is given or none.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from .people import GraderInputError, Roster, roster_from_mapping

VIGNETTE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,80}$")


def load_roster(directory: Path | str, vignette_id: str) -> Roster:
    """The Roster of one vignette file <directory>/<id>.yaml; errors say what to do."""
    directory = Path(directory)
    if not VIGNETTE_ID.match(vignette_id or ""):
        raise GraderInputError(f"Unknown vignette {vignette_id!r}: ids are lower-case words joined by hyphens.")
    path = directory / f"{vignette_id}.yaml"
    if not path.is_file():
        raise GraderInputError(
            f"Unknown vignette {vignette_id!r}: there is no {path.name} in {directory}; "
            "check the id or pass --vignettes with the right folder."
        )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise GraderInputError(f"{path}: could not be read ({exc}); fix the file.") from exc
    if not isinstance(data, dict) or "roster" not in data:
        raise GraderInputError(f"{path}: has no 'roster' list; add the family's people.")
    return roster_from_mapping(
        {"id": data.get("id", vignette_id), "roster": data["roster"], "danger_types": data.get("danger_types") or ()},
        path.name,
    )


class RosterFolder:
    """Rosters of one folder, read once each on first use."""

    def __init__(self, directory: Path | str | None):
        self.directory = Path(directory) if directory else None
        self._seen: dict[str, Roster] = {}

    def get(self, vignette_id: str | None) -> Roster | None:
        """The roster for an id (None for no id); an unknown id raises GraderInputError."""
        if not vignette_id:
            return None
        if self.directory is None:
            raise GraderInputError(
                f"The text names vignette {vignette_id!r}: pass --vignettes DIR so its roster can be read."
            )
        if vignette_id not in self._seen:
            self._seen[vignette_id] = load_roster(self.directory, vignette_id)
        return self._seen[vignette_id]
