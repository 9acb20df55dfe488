import t from 'tap'
import {
  canDevicePublish, canDeviceSubscribe, commandResultTopic, commandsTopic, configTopic, deviceTopic,
  parseDeviceTopic, stateTopic, telemetryTopic
} from '../../protocol/topics.js'

const me = 'ocb_0123456789ABCDEF'
const other = 'ocb_ZYXWVTSRQPNMKJHG'

t.test('builders and parser agree', async (t) => {
  t.equal(telemetryTopic(me), `devices/${me}/telemetry`)
  t.equal(commandResultTopic(me, 'cmd_1'), `devices/${me}/commands/cmd_1/result`)
  for (const topic of [telemetryTopic(me), stateTopic(me), commandsTopic(me), configTopic(me), commandResultTopic(me, 'c-9')]) {
    const parsed = parseDeviceTopic(topic)
    t.ok(parsed, topic)
    t.equal(deviceTopic(parsed!), topic)
  }
  t.same(parseDeviceTopic(commandResultTopic(me, 'abc')), { deviceId: me, kind: 'command-result', commandId: 'abc' })
  t.throws(() => commandResultTopic(me, 'a/b'), TypeError)
  t.throws(() => commandResultTopic(me, '+'), TypeError)
})

t.test('a device publishes only box->cloud topics of its own', async (t) => {
  t.ok(canDevicePublish(me, telemetryTopic(me)))
  t.ok(canDevicePublish(me, stateTopic(me)))
  t.ok(canDevicePublish(me, commandResultTopic(me, 'x1')))
  t.notOk(canDevicePublish(me, commandsTopic(me)), 'commands come from the cloud')
  t.notOk(canDevicePublish(me, configTopic(me)), 'config comes from the cloud')
  t.notOk(canDevicePublish(me, telemetryTopic(other)), 'not someone else\'s')
  t.notOk(canDevicePublish(me, `devices/${me}/telemetry/extra`))
  t.notOk(canDevicePublish(me, `devices/${me.toLowerCase()}/telemetry`))
  t.notOk(canDevicePublish(me, 'devices/+/telemetry'))
  t.notOk(canDevicePublish(me, '$SYS/broker'))
})

t.test('a device subscribes only to cloud->box topics of its own, without wildcards', async (t) => {
  t.ok(canDeviceSubscribe(me, commandsTopic(me)))
  t.ok(canDeviceSubscribe(me, configTopic(me)))
  t.notOk(canDeviceSubscribe(me, telemetryTopic(me)))
  t.notOk(canDeviceSubscribe(me, commandsTopic(other)))
  t.notOk(canDeviceSubscribe(me, `devices/${me}/#`))
  t.notOk(canDeviceSubscribe(me, `devices/${me}/+`))
  t.notOk(canDeviceSubscribe(me, 'devices/+/commands'))
  t.notOk(canDeviceSubscribe(me, '#'))
  t.notOk(canDeviceSubscribe(me, `devices/${me}/commands/+/result`))
})
