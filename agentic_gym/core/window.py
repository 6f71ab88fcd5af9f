"""A pygame window for the ``human`` render mode, created only when first shown.

Nothing here imports pygame until a frame is shown, so an env with
``render_mode=None`` never initialises a pygame subsystem.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class HumanWindow:
    """Shows RGB frames in a window at a fixed frame rate."""

    def __init__(self, title: str, fps: int = 4):
        self.title = title
        self.fps = fps
        self._screen: Any = None
        self._clock: Any = None

    def show(self, frame: np.ndarray) -> None:
        import pygame

        height, width = frame.shape[:2]
        if self._screen is None or self._screen.get_size() != (width, height):
            pygame.display.init()
            pygame.display.set_caption(self.title)
            self._screen = pygame.display.set_mode((width, height))
            self._clock = pygame.time.Clock()
        surface = pygame.surfarray.make_surface(np.ascontiguousarray(frame.transpose(1, 0, 2)))
        self._screen.blit(surface, (0, 0))
        pygame.event.pump()
        pygame.display.flip()
        self._clock.tick(self.fps)

    def close(self) -> None:
        if self._screen is not None:
            import pygame

            pygame.display.quit()
            self._screen = None
            self._clock = None
