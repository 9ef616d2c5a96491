"""Prompt weights for the Stable Diffusion families through compel: the prompt builder writes
performance terms as ``(frightened)1.3``; compel turns the prompt into text embeddings with
those weights, which the pipelines take instead of the prompt string."""

from __future__ import annotations


def _compel(pipe):
    # compel imports torch and transformers (seconds): only a render that uses it pays for that,
    # never the server's start (the registry builds the diffusers backend at every start).
    from compel import Compel, ReturnedEmbeddingsType

    if getattr(pipe, "text_encoder_2", None) is not None:  # SDXL: both encoders, the second one pooled
        return Compel(tokenizer=[pipe.tokenizer, pipe.tokenizer_2], text_encoder=[pipe.text_encoder, pipe.text_encoder_2],
                      returned_embeddings_type=ReturnedEmbeddingsType.PENULTIMATE_HIDDEN_STATES_NON_NORMALIZED,
                      requires_pooled=[False, True], truncate_long_prompts=False)
    return Compel(tokenizer=pipe.tokenizer, text_encoder=pipe.text_encoder, truncate_long_prompts=False)


def weighted_prompt(pipe, prompt: str, negative: str, batch: int) -> dict:
    """The pipeline's ``*_embeds`` keyword arguments for ``prompt`` and ``negative``, ``batch`` rows each
    (1 when the pipeline repeats them itself through num_images_per_prompt)."""
    compel = _compel(pipe)
    if compel.requires_pooled:
        positive, pooled = compel(prompt)
        negative_embeds, negative_pooled = compel(negative or "")
    else:
        positive, pooled = compel(prompt), None
        negative_embeds, negative_pooled = compel(negative or ""), None
    positive, negative_embeds = compel.pad_conditioning_tensors_to_same_length([positive, negative_embeds])
    kwargs = dict(prompt_embeds=positive.repeat(batch, 1, 1), negative_prompt_embeds=negative_embeds.repeat(batch, 1, 1))
    if pooled is not None:
        kwargs.update(pooled_prompt_embeds=pooled.repeat(batch, 1),
                      negative_pooled_prompt_embeds=negative_pooled.repeat(batch, 1))
    return kwargs
