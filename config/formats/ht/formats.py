"""Haitian Creole dates, times and numbers. Django's own `ht` formats are the English ones
("Dec. 2, 2026, 1 p.m."); in Haiti people write the day first, the month in words and a
24-hour clock ("2 desanm 2026, 13:00"). Month and day names come from locale_django/ht."""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
TIME_INPUT_FORMATS = ["%H:%M:%S", "%H:%M"]

DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"  # a space that never breaks a number over two lines
NUMBER_GROUPING = 3
