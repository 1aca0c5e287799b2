"""`DIR/config.json`: the settings `up` chose, so every process of the stack agrees."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from kernel.files import write_private
from kernel.settings import StackSettings


def save_settings(settings: StackSettings) -> Path:
    data = dataclasses.asdict(settings)
    data["data_dir"] = str(settings.data_dir)
    path = settings.data_dir / "config.json"
    write_private(path, json.dumps(data, indent=2, ensure_ascii=False))  # may hold a DB password
    return path


def load_settings(data_dir: Path) -> StackSettings:
    path = data_dir / "config.json"
    if not path.exists():
        raise FileNotFoundError(
            f"{path} does not exist: run `damrongdham up --data-dir {data_dir}` first"
        )
    data = json.loads(path.read_text(encoding="utf-8"))
    known = {f.name for f in dataclasses.fields(StackSettings)}
    data = {k: v for k, v in data.items() if k in known}
    data["data_dir"] = Path(data["data_dir"])
    return StackSettings(**data)
