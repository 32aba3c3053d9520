"""Teaching: preset lessons in which a class switches feedback loops off and watches the health gap respond,
and a causal loop diagram a class can read.

``LESSONS`` holds the presets (``lessons``); ``run_lesson`` runs every on/off combination of a lesson's loops
with common random numbers and ``lesson_model`` builds one model for the live page (``runs``);
``draw_loop_diagram`` draws every loop as a closed cycle with its R/B label (``loop_diagram``).
"""

from pathways_sim.teaching.lessons import LESSONS, Lesson, LessonError, lookup
from pathways_sim.teaching.loop_diagram import draw_loop_diagram
from pathways_sim.teaching.runs import LessonRuns, by_quintile, gap_over_time, lesson_model, lesson_scenario, run_lesson

__all__ = ["LESSONS", "Lesson", "LessonError", "LessonRuns", "by_quintile", "draw_loop_diagram", "gap_over_time",
           "lesson_model",
           "lesson_scenario", "lookup", "run_lesson"]
