"""Meetings link to the proposals that came out of them; free links stay for other outcomes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cities', '0002_map_centre'),
        ('events', '0001_meetings'),
        ('proposals', '0002_sqlite_fts'),
    ]

    operations = [
        migrations.AlterField(
            model_name='meeting',
            name='outcomes',
            field=models.JSONField(blank=True, default=list, verbose_name='other outcomes (links)'),
        ),
        migrations.CreateModel(
            name='MeetingProposal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('city', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cities.city')),
                ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='proposal_links', to='events.meeting')),
                ('proposal', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='meeting_links', to='proposals.proposal')),
            ],
            options={
                'verbose_name': 'proposal of a meeting',
                'ordering': ['pk'],
            },
        ),
        migrations.AddField(
            model_name='meeting',
            name='proposals',
            field=models.ManyToManyField(blank=True, related_name='meetings', through='events.MeetingProposal', to='proposals.proposal', verbose_name='proposals that came out of it'),
        ),
        migrations.AddConstraint(
            model_name='meetingproposal',
            constraint=models.UniqueConstraint(fields=('meeting', 'proposal'), name='meeting_proposal_once'),
        ),
    ]
