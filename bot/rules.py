"""Pure rules of the programme over the parameters: no clock, no I/O."""

from __future__ import annotations

from dataclasses import dataclass

from bot.params import Parameter, Parameters, Territory


@dataclass(frozen=True, slots=True, kw_only=True)
class Subsidy:
    """The State subsidy of the 2020 AMI for a number of posts in a territory."""

    posts: int
    per_post: Parameter
    total: float

    @property
    def uncertain(self) -> bool:
        return self.per_post.uncertain


def initial_subsidy(params: Parameters, territory: Territory, posts: int, *,
                    private: bool = False) -> Subsidy:
    """Subsidy of the initial convention (AMI 2020): posts × the amount per post."""
    if posts < 1:
        raise ValueError("posts must be at least 1")
    per_post = params["subvention_prive_v1"] if private else params.subsidy(territory)
    return Subsidy(posts=posts, per_post=per_post, total=posts * float(per_post.value))
