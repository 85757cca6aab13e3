"""Commands that read records without a window: ``verify-rx`` (a printed prescription's QR
code, checked offline) and ``audit verify|show``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass

from app.cli.common import (
    default_data_dir,
    open_existing_store,
    open_services,
    unlock_headless,
)

# The XMP property a printed prescription PDF carries its QR text in (app.ui.rx_print).
RX_XMP_PATTERN = rb"<hwcrx:qrPayload>([^<]*)</hwcrx:qrPayload>"
RX_XMP_NAMESPACE = b'xmlns:hwcrx="urn:hwc-spoke:rx:1"'


def read_rx_pdf(data: bytes) -> str:
    """The QR text a printed prescription PDF carries in its XMP packet. Qt stores that packet
    uncompressed, so the bytes are searched directly; strict: exactly one packet with exactly
    one payload, inside the packet's wrapper, or ValueError."""
    import re

    packets = re.findall(rb"<\?xpacket begin=.*?<\?xpacket end=\"[rw]\"\?>", data, re.DOTALL)
    found: list[bytes] = [
        m
        for packet in packets
        if RX_XMP_NAMESPACE in packet
        for m in re.findall(RX_XMP_PATTERN, packet)
    ]
    # A second payload (an incremental update, a pasted page) would make "which one did the
    # pharmacist check" ambiguous: refuse rather than pick.
    if len(found) > 1:
        raise ValueError("the PDF carries more than one prescription code")
    if len(re.findall(rb"hwcrx:qrPayload>", data)) != 2 * len(found):
        raise ValueError("the PDF carries a prescription code outside its metadata")
    if not found:
        raise ValueError("the PDF carries no prescription code (printed invalid, or not ours)")
    try:
        return found[0].decode("ascii")
    except UnicodeDecodeError:
        raise ValueError("the PDF's prescription code is not text") from None


def read_rx_file(path: Path) -> str:
    """The QR payload text in ``path``: what a phone's QR scanner saved, or the payload a
    printed prescription PDF carries. Raises ValueError (with a message for the pharmacist)
    for a file that holds no payload."""
    data = path.read_bytes()
    if data.startswith(b"%PDF"):
        return read_rx_pdf(data)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("the file is not text") from None


def verify_rx_hub_key(args: argparse.Namespace) -> str | None:
    """The hub's signing key: ``--hub-key``, else this clinic PC's enrolment (None if absent).
    Never creates a data folder or database where there was none."""
    if args.hub_key:
        return str(args.hub_key)
    chosen = args.data_dir or os.environ.get("SPOKE_DATA_DIR")
    data_dir = Path(chosen).expanduser() if chosen else default_data_dir(args.demo)
    from app.services.container import DB_FILE

    if not (data_dir / DB_FILE).is_file():
        return None
    from app.sync import credentials

    services = open_services(data_dir, headless=True)
    try:
        unlock_headless(services, "verify-rx")
        creds = credentials.load(services.store)
    finally:
        services.close()
    return creds.signing_key if creds is not None and creds.signing_key else None


def cmd_verify_rx(args: argparse.Namespace) -> int:
    """Check a prescription's QR payload offline: exit 0 valid, 1 not valid, 2 unreadable."""
    from app.security import rx_signatures as rx
    from app.store.errors import StoreError

    try:
        text = read_rx_file(Path(args.file))
    except (OSError, ValueError) as exc:
        print(f"unreadable: {args.file}: {exc}", file=sys.stderr)
        return 2
    try:
        key_text = verify_rx_hub_key(args)
    except StoreError as exc:
        print(f"verify-rx: cannot read this PC's enrolment: {exc.message}", file=sys.stderr)
        return 2
    if not key_text:
        print("verify-rx: no hub key: pass --hub-key=KEY (the hub's signing key) or run it on "
              "an enrolled clinic PC", file=sys.stderr)  # fmt: skip
        return 2
    try:
        hub_key = rx.parse_public_key(key_text)
    except ValueError as exc:
        print(f"verify-rx: {exc}", file=sys.stderr)
        return 2
    check = rx.check_qr_payload(text, hub_key)
    if check.decoded is None:
        print(f"unreadable: {check.verdict.reason}")
        return 2
    print(check.status.value)
    if check.verdict.valid:
        print("Compare with the paper:")
    else:
        print(f"  {check.verdict.reason}. Do not dispense on this code.")
        print("What the code claims (NOT verified):")
    # The practitioner comes from the certificate the check used, else the one the code carries.
    cert = check.verdict.certificate or check.decoded.certificate.certificate
    for label, value in rx.prescription_facts(check.decoded.payload, cert):
        print(f"  {label + ':':<14} {value}")
    return 0 if check.verdict.valid else 1


def cmd_audit(args: argparse.Namespace) -> int:
    """``audit verify``: exit 0 intact, 1 broken, 2 no database; ``audit show``: the newest
    entries (ids and codes only: the trail holds no patient data)."""
    from app.store import audit
    from app.store.errors import StoreError

    try:
        store = open_existing_store(args)
    except StoreError as exc:
        print(f"audit: cannot open the clinic database: {exc.message}", file=sys.stderr)
        return 2
    if store is None:
        print("audit: no clinic database in this data folder (--data-dir DIR)", file=sys.stderr)
        return 2
    try:
        if args.audit_command == "show":
            for e in reversed(store.read(lambda db: audit.recent(db, args.last))):
                who = f"{e.actor_id} ({e.actor_role})" if e.actor_id else "-"
                what = f"{e.entity} {e.entity_id}".strip() or "-"
                print(f"{e.seq:>7}  {e.at.isoformat(timespec='seconds')}  {e.action:<15} "
                      f"{who}  {what}  {e.detail}".rstrip())  # fmt: skip
            return 0
        check = store.read(audit.verify)
    except StoreError as exc:
        print(f"audit: {exc.message}", file=sys.stderr)
        return 2
    finally:
        store.close()
    if check.intact:
        last = check.last_at.isoformat(timespec="seconds") if check.last_at else "never"
        print(f"intact: {check.entries} entries, last at {last}")
        return 0
    print(f"BROKEN at entry {check.broken_at}: {check.reason}")
    print(f"  {check.message}")
    return 1
