"""Drivers, one per device kind; ``create`` picks the one a paired device needs.

Imports are lazy so that a PC with no Bluetooth stack never loads bleak until a BLE device
is paired, and the app starts as fast with devices as without.
"""

from __future__ import annotations

from app.devices.driver import DeviceKind, DeviceSpec, Driver, DriverSink, Now


def create(spec: DeviceSpec, sink: DriverSink, now: Now) -> Driver:
    kind = DeviceKind(spec.kind)
    if kind is DeviceKind.CMS50:
        from app.devices.drivers.cms50 import Cms50Driver

        return Cms50Driver(spec, sink, now)
    if kind is DeviceKind.SCALE:
        from app.devices.drivers.scale import ScaleDriver

        return ScaleDriver(spec, sink, now)
    if kind is DeviceKind.HL7:
        from app.devices.drivers.hl7_monitor import Hl7MonitorDriver

        return Hl7MonitorDriver(spec, sink, now)
    from app.devices.drivers.ble_health import BleHealthDriver

    return BleHealthDriver(spec, sink, now)
