from flask_wtf import FlaskForm
from wtforms import BooleanField, FloatField
from wtforms.validators import InputRequired, NumberRange


class AutoScheduleForm(FlaskForm):
    time_limit_seconds = FloatField("Time limit (seconds)", default=30,
                                    validators=[InputRequired(), NumberRange(min=1, max=3600)])
    keep_current = BooleanField("Keep workshops that are placed already where they are")
