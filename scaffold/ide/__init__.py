"""Editor integration: files that put scaffold's commands one keystroke away.

Standard library only; every function here is pure (text in, text out) so the
plan/apply writer decides what reaches the disk.

>>> from scaffold.ide import TASK_LABELS, vscode_tasks
>>> text = vscode_tasks(None)
>>> all(label in text for label in TASK_LABELS)
True
"""

from scaffold.ide.vscode import TASK_LABELS, TASKS_PATH, vscode_tasks

__all__ = ["TASKS_PATH", "TASK_LABELS", "vscode_tasks"]
