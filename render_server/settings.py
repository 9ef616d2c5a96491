"""One settings object for the server, read from BEATBOARD_* environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "beatboard"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BEATBOARD_", env_file=".env", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8765
    token: str = Field(default="", description="Bearer token; required when binding beyond loopback")
    # Host names (besides 127.0.0.1, localhost and [::1]) a token-less server answers to,
    # comma-separated, e.g. "render-box.local,render-box.local:8765". Any other Host is refused
    # (DNS rebinding); web pages of these hosts may also call the server.
    allowed_hosts: str = ""
    data_dir: Path = Field(default_factory=_default_data_dir)
    default_backend: str = "previs"
    max_body_mb: float = 32.0
    # A request must arrive whole (head and body) within this many seconds of its first byte;
    # an idle kept-alive connection closes after keep_alive_s.
    request_timeout_s: float = 30.0
    keep_alive_s: float = 5.0
    # A job found RUNNING after a crash is retried this many times in all, then failed.
    max_attempts: int = 2
    # Seconds the previs backend waits per drawing step: lets demos and tests watch
    # progress and cancel a job that would otherwise finish in milliseconds.
    previs_step_delay_s: float = 0.0

    # Team mode (README "Team mode"): with a broker URL (redis://host:6379/0) the API runs no
    # worker of its own; it queues job ids on Celery and `beatboard worker` processes run them.
    broker_url: str = ""
    # A worker holds a running job this many seconds past its last heartbeat (it beats every
    # third of it); a job whose worker went silent longer is queued again.
    worker_lease_s: float = 30.0
    # Redis redelivers a message not acknowledged within this many seconds (late acks: a job
    # is acknowledged when it ends). A redelivered job still held under a live lease is dropped.
    broker_visibility_timeout_s: float = 3600.0
    # How often a worker checks for messages past their visibility timeout (kombu's default: 60 s).
    broker_restore_interval_s: float = 60.0

    # An OpenAI-compatible chat endpoint for beats (OpenAI, Ollama, vLLM, LM Studio).
    # Unset: the offline extractor. Ollama: base_url http://127.0.0.1:11434/v1, any api_key.
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: str = ""
    llm_timeout_s: float = 60.0
    llm_max_attempts: int = 3
    # Scenes are sent in chunks of at most this many characters of script.
    llm_chunk_chars: int = 24000

    # Diffusers: a local folder or hub id of an SD 1.5 pipeline (safetensors only), its two
    # ControlNets, and a folder of actor LoRAs named ACTOR.safetensors.
    diffusers_model: str = ""
    controlnet_depth: str = ""
    controlnet_openpose: str = ""
    lora_dir: str = ""
    diffusers_device: str = "auto"  # auto, cuda, cpu
    cpu_offload: bool = False  # for small GPUs: keep idle submodels in system memory
    default_scheduler: str = "dpmpp_2m_karras"

    # OpenAI images: sends the prompt and the previs frame to OpenAI (or a compatible server).
    openai_api_key: str = ""
    openai_base_url: str = ""
    openai_image_model: str = "gpt-image-1"
    openai_timeout_s: float = 120.0

    # open_clip for actor embeddings: an architecture name, and a checkpoint (a local file,
    # or a pretrained tag already in the cache). No checkpoint: random weights (tests only).
    clip_model: str = "ViT-B-32"
    clip_checkpoint: str = ""

    # Learning from the director. A note given this many times for one actor becomes a
    # standing prompt hint; an actor's LoRA is retrained once this many new approved crops
    # exist (0: only on request); the reward model retrains after this many new judged frames.
    note_repeat_threshold: int = 3
    lora_train_threshold: int = 20
    lora_train_steps: int = 300
    lora_train_rank: int = 8
    lora_train_resolution: int = 512
    lora_train_learning_rate: float = 1e-4
    lora_eval_steps: int = 20  # denoising steps per held-out drawing when comparing versions
    reward_retrain_every: int = 5

    @property
    def allowed_host_list(self) -> tuple[str, ...]:
        return tuple(h.strip().lower() for h in self.allowed_hosts.split(",") if h.strip())

    @property
    def actors_db_path(self) -> Path:
        return self.data_dir / "actors.sqlite3"

    @property
    def llm_configured(self) -> bool:
        return bool(self.llm_model and (self.llm_base_url or self.llm_api_key))

    @property
    def people_db_path(self) -> Path:
        """Users (token digests only), projects, members and the activity record."""
        return self.data_dir / "people.sqlite3"

    @property
    def boards_db_path(self) -> Path:
        return self.data_dir / "boards.sqlite3"

    @property
    def db_path(self) -> Path:
        return self.data_dir / "jobs.sqlite3"

    @property
    def artifacts(self):
        """Where frames, crops, references, LoRAs and reward models live (storage/artifacts.py)."""
        from .storage.artifacts import ArtifactStore

        return ArtifactStore(self.data_dir)

    @property
    def trained_lora_dir(self) -> Path:
        return self.artifacts.lora_dir

    @property
    def frames_dir(self) -> Path:
        return self.artifacts.frames_dir
