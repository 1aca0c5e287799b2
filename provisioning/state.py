"""What provisioning has applied to a server, so reruns only do the difference.

Kept next to the credentials file (0600). Losing it is safe: every operation is idempotent on
the server, a rerun just takes longer."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kernel.files import write_private

STEPS = ("account", "room", "profile")


@dataclass
class CentreState:
    spec_hash: str = ""
    done: list[str] = field(default_factory=list)

    def complete(self, spec_hash: str) -> bool:
        return self.spec_hash == spec_hash and all(s in self.done for s in STEPS)


@dataclass
class AccountState:
    centre: str
    kind: str  # "centre" | "staff"
    role: str = "admin"  # room affiliation
    disabled: bool = False


@dataclass
class State:
    domain: str
    centres: dict[str, CentreState] = field(default_factory=dict)
    accounts: dict[str, AccountState] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path, domain: str) -> State:
        if not path.exists():
            return cls(domain)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            if raw.get("domain") != domain:
                raise ValueError(f"it belongs to domain {raw.get('domain')!r}, not {domain!r}")
            return cls(
                domain,
                {k: CentreState(**v) for k, v in raw.get("centres", {}).items()},
                {k: AccountState(**v) for k, v in raw.get("accounts", {}).items()},
            )
        except (ValueError, TypeError, AttributeError) as exc:
            raise ValueError(f"{path}: damaged provisioning state ({exc})") from exc

    def save(self, path: Path) -> None:
        data = {
            "domain": self.domain,
            "centres": {
                k: {"spec_hash": v.spec_hash, "done": v.done}
                for k, v in sorted(self.centres.items())
            },
            "accounts": {k: asdict(v) for k, v in sorted(self.accounts.items())},
        }
        write_private(path, json.dumps(data, indent=1, ensure_ascii=False) + "\n")
