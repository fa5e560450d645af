from flask_wtf import FlaskForm
from wtforms import BooleanField, FloatField, IntegerField
from wtforms.validators import InputRequired, NumberRange, Optional

from ..services.scheduling import MAX_SEED


class AutoScheduleForm(FlaskForm):
    time_limit_seconds = FloatField("Time limit (seconds)", default=30,
                                    validators=[InputRequired(), NumberRange(min=1, max=3600)])
    keep_current = BooleanField("Keep workshops that are placed already where they are")
    reproducible = BooleanField("Reproducible: the same data and seed give the same proposal "
                                "(the time limit becomes a work budget; a busy server takes longer)")
    seed = IntegerField("Seed", default=0, validators=[Optional(), NumberRange(min=0, max=MAX_SEED)])
