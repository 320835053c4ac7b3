"""Container image references: `host/path[:tag][@digest]`, split and put back together."""

from __future__ import annotations

from dataclasses import dataclass, replace

# Stand-ins manifests use until CD pins real builds: an owner to replace, a digest of zeros.
PLACEHOLDER_OWNER = "OWNER"
PLACEHOLDER_DIGEST = "sha256:" + "0" * 64


@dataclass(frozen=True)
class ImageRef:
    repository: str
    tag: str | None = None
    digest: str | None = None

    @classmethod
    def parse(cls, text: str) -> ImageRef:
        rest, _, digest = text.partition("@")
        slash = rest.rfind("/")
        colon = rest.rfind(":")
        tag = None
        if colon > slash:
            rest, tag = rest[:colon], rest[colon + 1 :]
        return cls(rest, tag or None, digest or None)

    def __str__(self) -> str:
        text = self.repository
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text

    @property
    def host(self) -> str:
        first, _, rest = self.repository.partition("/")
        if rest and ("." in first or ":" in first or first == "localhost"):
            return first
        return "docker.io"

    @property
    def path(self) -> str:
        """The repository without its host (`owner/name`)."""
        first, _, rest = self.repository.partition("/")
        return rest if self.host == first else self.repository

    @property
    def name(self) -> str:
        return self.repository.rsplit("/", 1)[-1]

    @property
    def placeholder(self) -> bool:
        """Names no real image: the placeholder owner, or the all-zero digest."""
        owner = self.path.split("/")[0] if "/" in self.path else ""
        return owner == PLACEHOLDER_OWNER or self.digest == PLACEHOLDER_DIGEST

    @property
    def pinned(self) -> bool:
        """Names one build: a digest, or a tag other than `latest`."""
        return self.digest is not None or (self.tag is not None and self.tag != "latest")

    def with_owner(self, owner: str) -> ImageRef:
        """Same host and name under another owner (GHCR wants lower case)."""
        return replace(self, repository=f"{self.host}/{owner.lower()}/{self.name}")

    def with_tag(self, tag: str) -> ImageRef:
        """Tagged `tag`; a digest of the old tag no longer applies, so it is dropped."""
        return replace(self, tag=tag, digest=None)
