from typing import Annotated

from sqlalchemy import String, Text
from sqlalchemy.orm import mapped_column

intpk = Annotated[int, mapped_column(primary_key=True)]
short_text = Annotated[str, mapped_column(String(30))]
long_text = Annotated[str, mapped_column(Text)]
