"""Container image references: `host/path[:tag][@digest]`, split and put back together."""

from __future__ import annotations

from dataclasses import dataclass, replace

# The two images CD builds (ghcr.io/<owner>/<name>); the base manifests name the owner `OWNER`.
AGENT_IMAGE = "coagents-travel-agent"
UI_IMAGE = "coagents-travel-ui"
OUR_IMAGES = (AGENT_IMAGE, UI_IMAGE)
PLACEHOLDER_OWNER = "OWNER"


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
    def pinned(self) -> bool:
        """Names one build: a digest, or a tag other than `latest`."""
        return self.digest is not None or (self.tag is not None and self.tag != "latest")

    def with_owner(self, owner: str) -> ImageRef:
        """Same host and name under another owner (GHCR wants lower case)."""
        return replace(self, repository=f"{self.host}/{owner.lower()}/{self.name}")

    def with_tag(self, tag: str) -> ImageRef:
        """Tagged `tag`; a digest of the old tag no longer applies, so it is dropped."""
        return replace(self, tag=tag, digest=None)
