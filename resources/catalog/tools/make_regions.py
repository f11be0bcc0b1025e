"""Regenerate the country table of `resources/catalog/regions.json` from ISO 3166-1.

Usage: python resources/catalog/tools/make_regions.py [/usr/share/iso-codes/json/iso_3166-1.json]

Reads the ISO 3166-1 list as packaged by Debian's iso-codes (the same data pycountry ships) and
rewrites only the `countries` table of regions.json; the groups, EAR treatments and exclusions
are curated by hand with their sources and are left as they are.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
DEFAULT_ISO = Path("/usr/share/iso-codes/json/iso_3166-1.json")
# Spellings used by the catalog's sources or by the EAR that ISO does not list.
EXTRA_NAMES = {
    "MO": ["Macau"],
    "MM": ["Burma"],
    "GB": ["UK", "Great Britain"],
    "KR": ["Korea, South"],
    "KP": ["Korea, North"],
    "TR": ["Turkey"],
    "CN": ["PRC"],
}


def main() -> int:
    iso_path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_ISO
    iso = json.loads(iso_path.read_text(encoding="utf-8"))["3166-1"]
    countries = []
    for c in sorted(iso, key=lambda c: c["alpha_2"]):
        names = [c.get("common_name") or c["name"]]
        for key in ("name", "official_name", "alpha_3"):
            value = c.get(key)
            if value and value not in names:
                names.append(value)
        names.extend(n for n in EXTRA_NAMES.get(c["alpha_2"], []) if n not in names)
        countries.append({"code": c["alpha_2"], "names": names})
    target = HERE / "regions.json"
    data = json.loads(target.read_text(encoding="utf-8"))
    data["countries"] = countries
    target.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(countries)} countries written to {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
