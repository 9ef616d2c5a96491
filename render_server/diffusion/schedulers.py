"""The schedulers a request may name, built from the loaded pipeline's own config."""

from __future__ import annotations

SCHEDULERS = ("dpmpp_2m_karras", "euler_a", "lcm", "tcd")


def make_scheduler(name: str, config):
    from diffusers import (DPMSolverMultistepScheduler, EulerAncestralDiscreteScheduler, LCMScheduler,
                           TCDScheduler)

    if name == "dpmpp_2m_karras":
        return DPMSolverMultistepScheduler.from_config(config, use_karras_sigmas=True,
                                                       algorithm_type="dpmsolver++", solver_order=2)
    if name == "euler_a":
        return EulerAncestralDiscreteScheduler.from_config(config)
    if name == "lcm":  # for LCM LoRAs: 4-8 steps, guidance about 1-2
        return LCMScheduler.from_config(config)
    if name == "tcd":  # for TCD / Lightning-style few-step LoRAs
        return TCDScheduler.from_config(config)
    raise ValueError(name)
