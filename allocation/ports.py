"""The eight land ports of entry named in the 2023 reports, with real coordinates, time zones
and daytime hours. Capacities add up to the 1,450 appointments a day reported by DHS."""

import datetime as dt

PORTS = [
    {
        "code": "san-ysidro",
        "name": "San Ysidro, CA",
        "mexican_city": "Tijuana",
        "address": "720 E San Ysidro Blvd, San Ysidro, CA 92173",
        "latitude": "32.54235",
        "longitude": "-117.02960",
        "time_zone": "America/Los_Angeles",
        "daily_capacity": 390,
    },
    {
        "code": "calexico",
        "name": "Calexico, CA",
        "mexican_city": "Mexicali",
        "address": "200 E 1st St, Calexico, CA 92231",
        "latitude": "32.66460",
        "longitude": "-115.49880",
        "time_zone": "America/Los_Angeles",
        "daily_capacity": 100,
    },
    {
        "code": "nogales",
        "name": "Nogales, AZ",
        "mexican_city": "Nogales",
        "address": "9 N Grand Ave, Nogales, AZ 85621",
        "latitude": "31.33290",
        "longitude": "-110.94200",
        "time_zone": "America/Phoenix",
        "daily_capacity": 100,
    },
    {
        "code": "el-paso",
        "name": "El Paso, TX",
        "mexican_city": "Ciudad Juárez",
        "address": "1000 S El Paso St, El Paso, TX 79901",
        "latitude": "31.74920",
        "longitude": "-106.48710",
        "time_zone": "America/Denver",
        "daily_capacity": 240,
    },
    {
        "code": "eagle-pass",
        "name": "Eagle Pass, TX",
        "mexican_city": "Piedras Negras",
        "address": "500 S Adams St, Eagle Pass, TX 78852",
        "latitude": "28.70910",
        "longitude": "-100.50470",
        "time_zone": "America/Chicago",
        "daily_capacity": 100,
    },
    {
        "code": "laredo",
        "name": "Laredo, TX",
        "mexican_city": "Nuevo Laredo",
        "address": "Gateway to the Americas Bridge, Laredo, TX 78040",
        "latitude": "27.50060",
        "longitude": "-99.50750",
        "time_zone": "America/Chicago",
        "daily_capacity": 100,
    },
    {
        "code": "hidalgo",
        "name": "Hidalgo, TX",
        "mexican_city": "Reynosa",
        "address": "710 E San Juan Ave, Hidalgo, TX 78557",
        "latitude": "26.09470",
        "longitude": "-98.27110",
        "time_zone": "America/Chicago",
        "daily_capacity": 210,
    },
    {
        "code": "brownsville",
        "name": "Brownsville, TX (Gateway International Bridge)",
        "mexican_city": "Matamoros",
        "address": "1001 E Elizabeth St, Brownsville, TX 78520",
        "latitude": "25.89730",
        "longitude": "-97.49700",
        "time_zone": "America/Chicago",
        "daily_capacity": 210,
    },
]
OPENS_AT = dt.time(8, 0)
CLOSES_AT = dt.time(17, 0)
