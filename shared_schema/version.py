"""Versions shared by the add-on and the render server."""

# The Beatboard release. pyproject.toml and blender_manifest.toml must carry the same.
PACKAGE_VERSION = "0.1.0"

# The wire format. Bump the minor number for additive changes, the major for breaking ones.
SCHEMA_VERSION = "1.4"  # 1.1: actors, castings, feedback, ranking, LoRA versions; 1.2: boards, notes, prompt
# fields; 1.3: projects, people, authors, project-private actors, board revisions; 1.4: team mode (worker
# routes, LoRA training on workers, Job.worker, Job.queue_position)
