using Kiln.Core.Errors;

namespace Kiln.Core.Tests.Errors;

public sealed class ErrorCodesTests
{
    [Theory]
    [InlineData(ErrorCode.InvalidParameterValue, "INVALID_PARAMETER_VALUE", 400, ExitCodes.Error)]
    [InlineData(ErrorCode.ResourceDoesNotExist, "RESOURCE_DOES_NOT_EXIST", 404, ExitCodes.NotFound)]
    [InlineData(ErrorCode.ResourceAlreadyExists, "RESOURCE_ALREADY_EXISTS", 400, ExitCodes.Error)]
    [InlineData(ErrorCode.InvalidState, "INVALID_STATE", 500, ExitCodes.Error)]
    [InlineData(ErrorCode.InternalError, "INTERNAL_ERROR", 500, ExitCodes.Error)]
    [InlineData(ErrorCode.EndpointNotFound, "ENDPOINT_NOT_FOUND", 404, ExitCodes.NotFound)]
    [InlineData(ErrorCode.TemporarilyUnavailable, "TEMPORARILY_UNAVAILABLE", 503, ExitCodes.Error)]
    public void Codes_map_once_to_mlflow_names_statuses_and_exit_codes(ErrorCode code, string name, int status, int exit)
    {
        Assert.Equal(name, code.WireName());
        Assert.Equal(status, code.HttpStatus());
        Assert.Equal(exit, code.ExitCode());
        Assert.Equal(code, ErrorCodes.FromWireName(name));
    }

    [Fact]
    public void Every_code_has_its_own_wire_name()
    {
        var names = Enum.GetValues<ErrorCode>().Select(c => c.WireName()).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
    }
}
