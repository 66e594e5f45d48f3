"""Which camera sources a user may give the server: the guard against reading its files and reaching its own
network through a camera URL (server-side request forgery).

- URLs: rtsp, rtsps, http and https only (parse_source_spec already refuses other schemes). Every address the
  host resolves to is checked, so `localhost`, `127.1` and `2130706433` are all seen as the loopback they are.
  Loopback and link-local addresses need an operator's opt-in (CAMERA_ALLOW_LOOPBACK, CAMERA_ALLOW_LINK_LOCAL);
  cloud metadata, unspecified, multicast and reserved addresses are never allowed. Private LAN addresses are
  where IP cameras live and stay allowed.
- Video files: regular files inside the media folder (DATA_DIR/media) or the bundled sample's folder. A missing
  file, a folder, a FIFO and a file elsewhere get the same answer, so the check tells nobody what exists.
- Webcams (a device number) are cameras attached to the server itself and stay allowed.

The host is resolved again when the source is opened; a name whose DNS answer changes in between (DNS
rebinding) is not caught here.
"""

from __future__ import annotations

import ipaddress
import socket
import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from shopflow.config.settings import Settings
from shopflow.domain.problems import InputError
from shopflow.pipeline.sources import SourceError, SourceKind, parse_source_spec
from shopflow.pipeline.sources.spec import url_host_port
from shopflow.services.demo import sample_video

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Cloud instance metadata services: they hand out the machine's credentials to whoever asks from inside.
_METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata.goog", "metadata"})
_METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(address)
    for address in ("169.254.169.254", "169.254.170.2", "169.254.169.123", "fd00:ec2::254", "100.100.100.200")
)
# "This network": Linux connects 0.x.x.x to the machine itself.
_THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class SourcePolicyError(InputError):
    """A source the policy does not allow; the message says what to give instead."""


def _bundled_assets() -> list[Path]:
    # The demo camera plays the sample video from here; the package's own files are no secret.
    try:
        return [sample_video().parent.resolve()]
    except FileNotFoundError:
        return []


@dataclass(frozen=True, slots=True)
class SourcePolicy:
    media_dir: Path
    allow_loopback: bool = False
    allow_link_local: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> SourcePolicy:
        return cls(
            media_dir=settings.media_dir,
            allow_loopback=settings.camera_allow_loopback,
            allow_link_local=settings.camera_allow_link_local,
        )

    def check(self, value: str) -> str:
        """The source to store for `value`: a URL as typed (trimmed), a video file as its full real path.
        Raises SourcePolicyError (or SourceError for a malformed source) with a message that says what to fix.

        Resolves host names: blocks for as long as DNS takes, so call it off the event loop."""
        spec = parse_source_spec(value)
        if spec.kind is SourceKind.FILE:
            return str(self._video_file(spec.target))
        if spec.kind is SourceKind.WEBCAM:
            return value.strip()
        address = url_host_port(spec.target)
        if address is None:  # parse_source_spec refuses these already
            raise SourceError(f"camera URL {spec.for_logs} has no valid host", "source_no_host")
        _same_host_for_ffmpeg(spec.target, address[0], spec.for_logs)
        self._check_host(*address)
        return value.strip()

    # --- files --------------------------------------------------------------------------------------------------

    def _video_file(self, given: str) -> Path:
        media = self.media_dir.resolve()
        path = Path(given)
        # A bare name is a file in the media folder, which is what the message below asks for.
        resolved = (path if path.is_absolute() else media / path).resolve()
        folders = [media, *_bundled_assets()]
        try:
            # stat, not open: opening a FIFO would wait for a writer forever.
            inside = any(resolved.is_relative_to(folder) for folder in folders)
            regular = inside and stat.S_ISREG(resolved.stat().st_mode)
        except OSError:
            regular = False
        if not regular:
            raise SourcePolicyError(
                f"the server only plays video files from its media folder: put the video in {media} "
                "and give its name (or its full path in that folder)",
                "source_media_folder",
                folder=str(media),
            )
        return resolved

    # --- hosts --------------------------------------------------------------------------------------------------

    def _check_host(self, host: str, port: int) -> None:
        name = host.rstrip(".").lower()
        if name in _METADATA_HOSTS:
            raise SourcePolicyError(
                f"{host} is a cloud metadata service, not a camera; give the camera's address",
                "source_metadata",
                host=host,
            )
        try:
            # Every address the name resolves to: the stream may be opened on any of them.
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            raise SourcePolicyError(
                f"the host name {host} could not be resolved from this server; check the camera's address",
                "source_unresolved",
                host=host,
            ) from None
        for info in infos:
            address = ipaddress.ip_address(str(info[4][0]).partition("%")[0])  # without an IPv6 zone (%eth0)
            self._check_address(host, address)

    def _check_address(self, host: str, address: IPAddress) -> None:
        address = _embedded_ipv4(address)
        shown = host if host == str(address) else f"{host} ({address})"
        if address in _METADATA_ADDRESSES:
            raise SourcePolicyError(
                f"{shown} is a cloud metadata service, not a camera; give the camera's address",
                "source_metadata",
                host=shown,
            )
        if address.is_unspecified or address in _THIS_NETWORK:
            raise SourcePolicyError(
                f"{shown} is not a camera's address (it means this server); give the camera's address",
                "source_this_server",
                host=shown,
            )
        if address.is_loopback:
            if self.allow_loopback:
                return
            raise SourcePolicyError(
                f"{shown} is this server itself, which camera sources may not reach; give the camera's network "
                "address, or set CAMERA_ALLOW_LOOPBACK=true if a stream relay runs on this machine",
                "source_loopback",
                host=shown,
            )
        if address.is_link_local:
            if self.allow_link_local:
                return
            raise SourcePolicyError(
                f"{shown} is a link-local address; give the camera a LAN address (DHCP or fixed), or set "
                "CAMERA_ALLOW_LINK_LOCAL=true if your cameras use self-assigned 169.254.x.x addresses",
                "source_link_local",
                host=shown,
            )
        if address.is_multicast or address.is_reserved:  # 240.0.0.0/4 holds the broadcast address
            raise SourcePolicyError(
                f"{shown} is not a camera's address (multicast or reserved); check the address",
                "source_reserved",
                host=shown,
            )


def _same_host_for_ffmpeg(url: str, host: str, shown: str) -> None:
    """Refuse a URL whose host FFmpeg would read differently. Ours is after the last '@' (a pasted password may
    hold '/'); FFmpeg's, like the URL standard's, ends at the first '/', '?' or '#', so in
    `rtsp://127.0.0.1/x@10.0.0.5/` the policy would check 10.0.0.5 while FFmpeg connects to 127.0.0.1."""
    try:
        standard = urlsplit(url).hostname
    except ValueError:
        standard = None
    if standard != host.lower():
        raise SourcePolicyError(
            f"the camera URL {shown} has a '/', '?' or '#' before its '@'; write them in the user name and "
            "password as %2F, %3F and %23",
            "source_url_ambiguous",
        )


def _embedded_ipv4(address: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 one carries when the connection really goes there (::ffff:127.0.0.1, NAT64)."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address in _NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address
