"""The data folder belongs to the user the units run as (`kiosk`), also when root runs a
command over SSH: what root's command created there (the database, its WAL, the marker it
rewrote) is handed back to the folder's owner, or the units could no longer write their day."""

from __future__ import annotations

import os
from pathlib import Path


def hand_back(folder: Path) -> list[Path]:
    """Give every entry under ``folder`` that is not its owner's to that owner, when running as
    root and the folder is another user's. Returns the entries changed."""
    if os.geteuid() != 0:
        return []
    try:
        owner = folder.stat()
    except FileNotFoundError:
        return []
    if owner.st_uid == 0:
        return []
    changed = []
    for path in [folder, *folder.rglob("*")]:
        try:
            st = path.lstat()
            if (st.st_uid, st.st_gid) != (owner.st_uid, owner.st_gid):
                os.lchown(path, owner.st_uid, owner.st_gid)
                changed.append(path)
        except FileNotFoundError:
            continue  # removed meanwhile (a WAL checkpointed away)
    if changed:
        os.sync()  # the new owners on disk now, not at the next journal commit: a power cut
        # seconds after a technician's command must not give the day back to root
    return changed
