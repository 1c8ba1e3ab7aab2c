"""The shared records take over their tables as they are: ports from allocation, the audit log from
staff, rate counters, resend keys and the outbox copy from registrations. State only: no table is
created, renamed or copied (each model names its old table in db_table)."""

import datetime
import django.db.models.deletion
import shared.encryption
import shared.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("allocation", "0012_verbose_names"),
        ("registrations", "0011_one_form_per_phone"),
        ("staff", "0007_authenticator_app_names"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='OutboundMessage',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('channel', models.CharField(max_length=10)),
                    ('address', shared.encryption.EncryptedCharField(max_length=254)),
                    ('address_index', models.CharField(db_index=True, default='', max_length=64)),
                    ('subject', models.CharField(blank=True, max_length=200)),
                    ('body', shared.encryption.EncryptedTextField()),
                    ('created_at', models.DateTimeField(auto_now_add=True)),
                ],
                options={
                    'db_table': 'registrations_outboundmessage',
                },
            ),
            migrations.CreateModel(
                name='Port',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('code', models.SlugField(max_length=32, unique=True, verbose_name='code')),
                    ('name', models.CharField(max_length=100, verbose_name='name')),
                    ('mexican_city', models.CharField(help_text='The city on the Mexican side.', max_length=100, verbose_name='Mexican city')),
                    ('address', models.CharField(max_length=200, verbose_name='address')),
                    ('latitude', models.DecimalField(decimal_places=5, max_digits=8, verbose_name='latitude')),
                    ('longitude', models.DecimalField(decimal_places=5, max_digits=8, verbose_name='longitude')),
                    ('time_zone', models.CharField(max_length=64, validators=[shared.models.validate_time_zone], verbose_name='time zone')),
                    ('opens_at', models.TimeField(default=datetime.time(8, 0), verbose_name='opens at')),
                    ('closes_at', models.TimeField(default=datetime.time(17, 0), verbose_name='closes at')),
                    ('daily_capacity', models.PositiveIntegerField(help_text='People per day.', verbose_name='daily capacity')),
                    ('window_minutes', models.PositiveSmallIntegerField(default=30, verbose_name='minutes per time window')),
                    ('grace_minutes', models.PositiveSmallIntegerField(default=60, help_text='How late a household may check in and keep its appointment.', verbose_name='minutes late allowed')),
                    ('accepts_requests', models.BooleanField(default=True, verbose_name='accepts requests')),
                ],
                options={
                    'verbose_name': 'port',
                    'verbose_name_plural': 'ports',
                    'db_table': 'allocation_port',
                    'ordering': ['name'],
                },
            ),
            migrations.CreateModel(
                name='RateCounter',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('key', models.CharField(max_length=120, unique=True)),
                    ('count', models.PositiveIntegerField(default=0)),
                    ('expires_at', models.DateTimeField(db_index=True)),
                ],
                options={
                    'db_table': 'registrations_ratecounter',
                },
            ),
            migrations.CreateModel(
                name='AuditEntry',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('action', models.CharField(choices=shared.models.audit_action_choices, max_length=40)),
                    ('household_reference', models.CharField(blank=True, db_index=True, max_length=16)),
                    ('values', models.JSONField(blank=True, null=True)),
                    ('detail', models.CharField(blank=True, max_length=300)),
                    ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                    ('actor', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'verbose_name_plural': 'audit entries',
                    'db_table': 'staff_auditentry',
                    'ordering': ['-created_at'],
                },
            ),
            migrations.CreateModel(
                name='IdempotencyKey',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('scope', models.CharField(max_length=64)),
                    ('key', models.CharField(max_length=64)),
                    ('request_hash', models.CharField(max_length=64)),
                    ('result_url', models.CharField(max_length=200)),
                    ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                ],
                options={
                    'db_table': 'registrations_idempotencykey',
                    'constraints': [models.UniqueConstraint(fields=('scope', 'key'), name='unique_idempotency_key')],
                },
            ),
            ],
            database_operations=[],
        ),
    ]
