# Deadlines' reminders and escalations move from stamps on each deadline (an UPDATE per reminder,
# through every index of a million-row table) to alarm rows of their own, which keep when they went off.

import django.db.models.deletion
from django.db import migrations, models

ALARMS_FROM_STAMPS = """
INSERT INTO cases_deadlinealarm (deadline_id, kind, goes_off_at, went_off_at)
SELECT id, 'reminder', remind_at, reminded_at FROM cases_deadline
WHERE reminded_at IS NOT NULL OR (met_at IS NULL AND cancelled_at IS NULL)
UNION ALL
SELECT id, 'escalation', due_at, escalated_at FROM cases_deadline
WHERE escalated_at IS NOT NULL OR (met_at IS NULL AND cancelled_at IS NULL)
"""


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0006_case_opened_idx'),
    ]

    operations = [
        migrations.CreateModel(
            name='DeadlineAlarm',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('reminder', 'Reminder before the deadline'), ('escalation', 'Escalation after it was missed')], max_length=10)),
                ('goes_off_at', models.DateTimeField()),
                ('went_off_at', models.DateTimeField(blank=True, null=True)),
                ('deadline', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='alarms', to='cases.deadline')),
            ],
        ),
        migrations.RunSQL(ALARMS_FROM_STAMPS, reverse_sql=migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name='deadlinealarm',
            index=models.Index(
                condition=models.Q(('went_off_at__isnull', True)), fields=['goes_off_at'], name='deadline_alarm_due_idx'
            ),
        ),
        migrations.AddConstraint(
            model_name='deadlinealarm',
            constraint=models.UniqueConstraint(fields=('deadline', 'kind'), name='deadline_alarm_once'),
        ),
        migrations.AddConstraint(
            model_name='deadlinealarm',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['reminder', 'escalation'])), name='deadline_alarm_kind_valid'),
        ),
        migrations.RemoveIndex(
            model_name='deadline',
            name='deadline_reminder_due_idx',
        ),
        migrations.RemoveIndex(
            model_name='deadline',
            name='deadline_escalation_due_idx',
        ),
        migrations.RemoveField(
            model_name='deadline',
            name='escalated_at',
        ),
        migrations.RemoveField(
            model_name='deadline',
            name='reminded_at',
        ),
    ]
